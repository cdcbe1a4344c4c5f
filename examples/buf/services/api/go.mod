module example.com/bufdemo/api

go 1.22

require buf.build/gen/go/acme/petapis/protocolbuffers/go v1.34.0-20240105174326-7d1ab5b6f0d1.1
