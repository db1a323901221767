"""Running a flow in a browser: the engine, one handler per step verb, events, failure text, session."""
