# The one way dates are written in English, on every page, in the admin's columns, in letters,
# receipts and emails: the month in full ("November 23, 2026"), not Django's AP style ("Nov. 23,
# 2026") or numbers ("11/23/2026", which a Spanish reader takes for the 11th of month 23).
# Spanish keeps Django's own forms ("23 de noviembre de 2026", "23 de noviembre de 2026 a las
# 16:05"). core.dates and the `day` template filters write dates through these names only.
DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, g:i A"
MONTH_DAY_FORMAT = "F j"
TIME_FORMAT = "g:i A"
