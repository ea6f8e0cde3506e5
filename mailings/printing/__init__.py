"""A letter on paper: a rendered letter laid out for a window envelope with its reply slip
(printed_letter, letter_pdf), and a mailing's print run, one PDF for the print shop
(print_run). Builds on mailings.letters; the only PDF seam is core.pdf."""
