package energy

import (
	"encoding/json"
	"time"
)

// The stores keep a lead's legal representatives as one JSON text column:
// they are read and written only with their lead, never queried. These two
// functions are the one storage layout both engines use.

type storedRepresentative struct {
	Name          string `json:"name"`
	CPF           string `json:"cpf"`
	Email         string `json:"email"`
	Cellphone     string `json:"cellphone"`
	Nationality   string `json:"nationality"`
	Profession    string `json:"profession"`
	MaritalStatus string `json:"maritalStatus"`
	Street        string `json:"street"`
	Number        string `json:"number"`
	Complement    string `json:"complement"`
	Neighborhood  string `json:"neighborhood"`
	ZipCode       string `json:"zipCode"`
	City          string `json:"city"`
	State         string `json:"state"`
	IBGECode      int    `json:"ibgeCode"`
}

// EncodeRepresentatives is the stored form of rs ("[]" when none).
func EncodeRepresentatives(rs []LegalRepresentative) string {
	out := make([]storedRepresentative, len(rs))
	for i, r := range rs {
		a := r.Address
		out[i] = storedRepresentative{r.Name, r.CPF, r.Email, r.Cellphone, r.Nationality, r.Profession, r.MaritalStatus,
			a.Street, a.Number, a.Complement, a.Neighborhood, a.ZipCode, a.City, a.State, a.IBGECode}
	}
	b, _ := json.Marshal(out) // plain strings and ints always encode
	return string(b)
}

// DecodeRepresentatives reads EncodeRepresentatives' output.
func DecodeRepresentatives(s string) ([]LegalRepresentative, error) {
	if s == "[]" { // most leads, natural persons: nothing to decode
		return nil, nil
	}
	return decodeStored(s, func(r storedRepresentative) LegalRepresentative {
		return LegalRepresentative{
			Name: r.Name, CPF: r.CPF, Email: r.Email, Cellphone: r.Cellphone,
			Nationality: r.Nationality, Profession: r.Profession, MaritalStatus: r.MaritalStatus,
			Address: Address{ZipCode: r.ZipCode, State: r.State, City: r.City, IBGECode: r.IBGECode,
				Street: r.Street, Number: r.Number, Neighborhood: r.Neighborhood, Complement: r.Complement},
		}
	})
}

// decodeStored reads a JSON array of stored values and converts each with
// conv; nil when it is empty.
func decodeStored[S, T any](s string, conv func(S) T) ([]T, error) {
	var in []S
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = conv(v)
	}
	return out, nil
}

// The signers' one-time code states are one JSON text column too, read and
// written with their lead's contract.
type storedSignCode struct {
	CPF       string    `json:"cpf"`
	MAC       []byte    `json:"mac,omitempty"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	SentAt    time.Time `json:"sentAt,omitzero"`
	Sends     int       `json:"sends"`
	Failures  int       `json:"failures"`
}

// EncodeSignCodes is the stored form of cs ("[]" when none).
func EncodeSignCodes(cs []SignCode) string {
	out := make([]storedSignCode, len(cs))
	for i, c := range cs {
		out[i] = storedSignCode(c)
	}
	b, _ := json.Marshal(out) // strings, bytes, times and ints always encode
	return string(b)
}

// DecodeSignCodes reads EncodeSignCodes' output.
func DecodeSignCodes(s string) ([]SignCode, error) {
	return decodeStored(s, func(c storedSignCode) SignCode { return SignCode(c) })
}
