// inference_gateway fronts the model providers behind one HTTP API.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"

	"go.packages.dev.ameide.io/ameide-sdk-go/ameide"
)

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	http.HandleFunc("/v1/complete", func(w http.ResponseWriter, r *http.Request) {
		var request struct {
			Context ameide.RequestContext `json:"context"`
			Prompt  string                `json:"prompt"`
		}
		if err := json.NewDecoder(r.Body).Decode(&request); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"tenant": request.Context.TenantID, "completion": "echo: " + request.Prompt})
	})
	addr := ":8080"
	if port := os.Getenv("PORT"); port != "" {
		addr = ":" + port
	}
	log.Printf("inference_gateway listening on %s (sdk %s)", addr, ameide.Version)
	log.Fatal(http.ListenAndServe(addr, nil))
}
