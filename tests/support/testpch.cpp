// The translation unit that compiles the tests' shared precompiled header (tests/CMakeLists.txt):
// every test reuses it, so Qt's headers are parsed once per build instead of once per test.
