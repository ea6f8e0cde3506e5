# Letters and receipts write dates out in full ("November 23, 2026"), not Django's AP style
# ("Nov. 23, 2026").
DATE_FORMAT = "F j, Y"
