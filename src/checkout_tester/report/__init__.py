"""Reporters of engine events: console summary, Allure, timings JSON, the HTML report generator."""
