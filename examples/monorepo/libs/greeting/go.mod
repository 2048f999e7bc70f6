module example.com/gofront/examples/monorepo/libs/greeting

go 1.26
