"""The composer: a letter's text beside its live preview (mailings.composer.views), over the
draft services in mailings.composer.drafts."""
