"""The Storyboard tab: shot cards on a timeline, generate, takes, play as one film, export."""
