package landingzone

// FinishPass lets the tests drive a pass's status write against the real API server.
var FinishPass = finishPass
