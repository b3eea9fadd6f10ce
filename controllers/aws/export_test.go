package aws

// RecordsS3DataEvents is recordsS3DataEvents, for the tests that read a trail back from moto.
var RecordsS3DataEvents = recordsS3DataEvents

// RecordsManagementEvents is recordsManagementEvents, for the tests that read a trail back from moto.
var RecordsManagementEvents = recordsManagementEvents
