"""Patient-education assistant for ketamine-therapy clinics.

The Rasa project (config.yml, domain.yml, data/) describes the conversation;
this package holds everything that is ours: the curated content store, the
safety net, the dialogue glue Rasa loads by module path, the callback store,
the web widget channel and the staff tools.
"""
