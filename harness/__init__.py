"""What the tests and the benchmarks share to run the product as production runs it, against
the local stand-ins. tests/ and bench/ both import it and neither imports the other (a bench is
not part of the test run, and must not pull the test suite in); the product (config, core and
the apps) never imports it, so its throwaway secrets never reach a site."""
