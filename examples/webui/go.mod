module example.com/gofront/examples/webui

go 1.26
