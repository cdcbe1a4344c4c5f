// agents runs agent workflows; it asks inference_gateway for completions.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"

	"go.packages.dev.ameide.io/ameide-sdk-go/ameide"
)

func main() {
	gateway := ameide.NewClient(getenv("INFERENCE_GATEWAY_URL", "http://inference-gateway:8080"))
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"service": "agents", "sdk": ameide.Version, "gateway": gateway.BaseURL})
	})
	addr := ":" + getenv("PORT", "8080")
	log.Printf("agents listening on %s (sdk %s)", addr, ameide.Version)
	log.Fatal(http.ListenAndServe(addr, nil))
}

func getenv(key, fallback string) string {
	if value := os.Getenv(key); value != "" {
		return value
	}
	return fallback
}
