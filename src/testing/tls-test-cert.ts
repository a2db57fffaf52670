/**
 * A self-signed certificate for localhost / 127.0.0.1, for wss:// and tls:// tests only.
 * Generated once with:
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
 *     -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
 * The key protects nothing: it exists so tests can exercise certificate checks and --insecure.
 */
export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQglNnpXGxfdMS7SDM8
qbiJlrrsk7QgPRUh55nfwteTdYGhRANCAASYGYpPM7JUNIQl7JdyyC4n04Txsz8Z
eoE2M0LSouqE/4uCD+lGwS1i1iwOcwTnMJJRDwBYXU+ZHiWFBdgR0LdW
-----END PRIVATE KEY-----
`;

export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUXs1/toKEVJkEB7rKd85PQ0fSrF8wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMjA0Mjg0NFoYDzIxMjYxMDI5
MDQyODQ0WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASYGYpPM7JUNIQl7JdyyC4n04Txsz8ZeoE2M0LSouqE/4uCD+lGwS1i
1iwOcwTnMJJRDwBYXU+ZHiWFBdgR0LdWo28wbTAdBgNVHQ4EFgQUrrOZBNCzf2TI
pKALKLjHlkWWuncwHwYDVR0jBBgwFoAUrrOZBNCzf2TIpKALKLjHlkWWuncwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSQAwRgIhAJzeSdH3PhP2iIa9zRarqlFJ67WwNWQRvLItXLEfTB8yAiEA
kwoVXdyE+dXc09MAw4hMN0I9Byhz8j/nYHr8lkSFc4E=
-----END CERTIFICATE-----
`;
