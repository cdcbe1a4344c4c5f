package ameide

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// RequestContext says who a call acts for (ameide.common.v1.RequestContext).
type RequestContext struct {
	TenantID string `json:"tenantId"`
	ActorID  string `json:"actorId,omitempty"`
	TraceID  string `json:"traceId,omitempty"`
}

// Client calls platform services as JSON over HTTP.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// NewClient returns a client for the service at baseURL.
func NewClient(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: http.DefaultClient}
}

// Call posts body to <service>/<method> and decodes the answer into out.
func (c *Client) Call(ctx context.Context, service, method string, rc RequestContext, body map[string]any, out any) error {
	payload := map[string]any{"context": rc}
	for k, v := range body {
		payload[k] = v
	}
	data, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/"+service+"/"+method, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Ameide-Sdk", "go/"+Version)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s/%s: HTTP %d", service, method, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
