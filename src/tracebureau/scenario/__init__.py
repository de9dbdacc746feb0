"""The demo scenario: a fictional data set modelled on the Azovstal evacuation of 2022.

Entry points: `cast.build_cast` (who the people are, pure data) and `azovstal.load` (their story,
told through the services). `tracebureau demo` runs both.
"""
