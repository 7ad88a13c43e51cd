"""The back office's HTTP routes (AdminFunction), one router per resource.

They ship in the layer so that the one admin function can include every router by a normal
import, in Lambda and in tests alike.
"""
