module example.com/gofront/examples/hello

go 1.26
