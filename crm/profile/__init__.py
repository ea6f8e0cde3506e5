"""The supporter profile: the page staff open for a supporter (who, giving, one timeline of
everything that happened, the day's actions) and the moves management behind its actions,
interactions logged and follow-up tasks assigned."""
