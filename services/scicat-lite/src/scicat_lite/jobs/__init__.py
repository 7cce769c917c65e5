"""Jobs: the v4 job model, the job configuration file and its actions (v3 mapped onto v4)."""
