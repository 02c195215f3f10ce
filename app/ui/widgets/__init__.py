"""Small painted widgets: the recording clock, the level meter, the answer timeline and the
pace chart. Essentials ships no chart module, so each draws itself with QPainter."""
