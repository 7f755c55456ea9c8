"""Exchange with other QDA tools: REFI-QDA projects (.qdpx) and codebooks (.qdc).

``refi_export`` streams a project out; ``refi_import`` reads one in, in one transaction.
Everything a file brings is untrusted: archives go through ``safe_zip`` (no zip slip, no bombs,
members read in memory with limits) and XML through ``safe_xml`` (defusedxml: no external
entities, no entity expansion). ``refi_offsets`` is the pure logic that turns the positions
other tools write into offsets into our stored text, detecting tools that count UTF-16 code
units or line breaks differently from the standard.
"""
