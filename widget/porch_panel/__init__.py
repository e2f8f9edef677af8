"""The operator panel's live logic, run by Brython in the panel pages."""
