module example.com/gofront/examples/files-tz

go 1.26
