module example.com/gofront/examples/tested

go 1.26
