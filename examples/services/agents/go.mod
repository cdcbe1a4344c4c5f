module github.com/ameideio/ameide/services/agents

go 1.22

require go.packages.dev.ameide.io/ameide-sdk-go v1.4.0
