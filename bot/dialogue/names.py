"""Names shared by the domain, the policies, the NLG and the actions.

One place for each slot, form and action name the Python code refers to, so
a rename in domain.yml is a rename here (covidflow's constants module).
"""
CRISIS_SLOT = "crisis_flagged"
CALLBACK_FORM = "callback_form"
ACTION_FLAG_CRISIS = "action_flag_crisis"
UTTER_CRISIS = "utter_crisis"
UTTER_CRISIS_SAFE = "utter_crisis_safe"
UTTER_CRISIS_NOT_SAFE = "utter_crisis_not_safe"
UTTER_FALLBACK = "utter_fallback"
