module skalig

go 1.26
