"""Exchange with other QDA tools: REFI-QDA projects (.qdpx) and codebooks (.qdc).

``refi_export`` streams a project out; ``refi_import`` reads one in, in one transaction, through
``refi_xml`` (the file as plain values), ``refi_mapping`` (users, codes), ``refi_sources``
(articles, highlights), ``refi_write``, ``refi_positions`` and ``refi_bulk``; ``refi_common``
holds what both directions share.
Everything a file brings is untrusted: archives go through ``safe_zip`` (no zip slip, no bombs,
members read in memory with limits) and XML through ``safe_xml`` (defusedxml: no external
entities, no entity expansion). ``refi_offsets`` is the pure logic that turns the positions
other tools write into offsets into our stored text, detecting tools that count UTF-16 code
units or line breaks differently from the standard.
"""
