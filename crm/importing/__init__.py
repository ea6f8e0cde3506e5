"""Importing people and gifts from the systems nonprofits leave: one kit for every import.

- files: reading an upload safely (size, encoding, an XLSX's real size)
- jobs, job_admin: an upload as a job, checked and shown before it is written, in the
  background when large; the admin's screens on top
- headers, cells: which field each column holds; each cell parsed, with plain-words messages
- mapping, mapping_form: the mapping step (staff choose each column's field, seeing its
  values) and mappings saved by name for the next file
- outcome: what each row will do, and the report of the whole file
- row_matching: the supporter each row is about (email, then name and postal code)
- supporters, writing, supporter_columns, supporter_preview: the supporter import

donations.imports builds the gift import from the same kit.
"""
