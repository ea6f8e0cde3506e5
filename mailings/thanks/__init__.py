"""Thank-you letters: which letter thanks a gift (rules staff order in the admin: first gift,
monthly, large gift, tribute, stock or in kind, any gift), the gift's merge values, and the
writer donations' acknowledgements ask through their seam (donations.acknowledgements.writing)
for the email and the printed letter. The default letters, in English and Spanish, are set up
at first use (defaults)."""
