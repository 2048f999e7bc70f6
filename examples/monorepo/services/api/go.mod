module example.com/gofront/examples/monorepo/services/api

go 1.26

require example.com/gofront/examples/monorepo/libs/greeting v0.0.0

// The library lives in this repository. The replace lets the module build on
// its own (GOWORK=off, or a context without go.work); in workspace mode the
// go.work's `use ./libs/greeting` supplies the same directory.
replace example.com/gofront/examples/monorepo/libs/greeting => ../../libs/greeting
