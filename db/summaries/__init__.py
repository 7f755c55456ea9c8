"""Summaries of the coding: tables (workbook/CSV), issue briefs and actor networks."""
