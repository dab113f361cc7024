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

# custom.kind of the crisis responses in domain.yml (the widget and
# bot.evaluate read it too), and custom.variant of each: the NLG picks them,
# and safety_state reads them back from the messages already sent.
KIND_CRISIS = "crisis"
VARIANT_EMERGENCY = "emergency"
VARIANT_EMERGENCY_MODE = "emergency_mode"
VARIANT_CRISIS_MODE = "crisis_mode"
VARIANT_SAFE = "safe"
VARIANT_NOT_SAFE = "not_safe"
