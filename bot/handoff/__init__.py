"""Handing visitors to clinic staff: callback requests and crisis flags."""
