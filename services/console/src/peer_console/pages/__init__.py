"""The pages and the actions taken from them: sign-in and single sign-on, the coordinator, mentor and report
pages, and what every page shares (`web`)."""
