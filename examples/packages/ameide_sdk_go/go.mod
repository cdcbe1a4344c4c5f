module go.packages.dev.ameide.io/ameide-sdk-go

go 1.22
