#pragma once
// Paces a scenario whose steps are meant to be some time apart (traffic keeps flowing meanwhile):
// runs the event loop for `ms`. Not a way to wait for a condition; use QSignalSpy::wait for that.

void pace(int ms);
