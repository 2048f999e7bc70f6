module example.com/gofront/examples/multi

go 1.26
