module mstoolkit.test/go_oracle

go 1.19
