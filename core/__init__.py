"""The pure core every app may import: TLSMon's shared vocabulary. No Django, no I/O, and it
imports nothing of ours; the apps' Django choices are derived from it."""
