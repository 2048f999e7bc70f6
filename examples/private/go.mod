module example.com/gofront/examples/private

go 1.26

require git.gofront.test/team/greeting v1.0.0
