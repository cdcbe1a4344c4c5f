module github.com/ameideio/ameide/services/inference_gateway

go 1.22

require go.packages.dev.ameide.io/ameide-sdk-go v1.4.0
