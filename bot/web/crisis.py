"""The crisis line every refusal and error carries, in one place.

The widget channel adds it to its own errors and refusals, and nginx in front
of the cluster (bot/cluster/nginx.py) to the answer it gives when no Rasa
replica can be reached: whatever else fails, a visitor in crisis still reads
911, 988 and the Crisis Text Line. Plain module (no Rasa import) so
nginx's configuration can use it.
"""
from __future__ import annotations

CRISIS_LINE = ("If you are in danger or thinking about suicide, call 911, or call or text 988 "
               "(en español: oprima 2, o envíe AYUDA al 988). You can also text HOME to 741741.")
