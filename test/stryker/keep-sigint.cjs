// Stryker's tap hook exits the test process on SIGINT; the CLI's Ctrl-C test sends itself one and
// expects the CLI's own handler to write the partial run. Leave SIGINT to the code under test.
process.removeAllListeners('SIGINT');
