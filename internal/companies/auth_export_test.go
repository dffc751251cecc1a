package companies

// HashStats returns how many password hashes s ran and the most that ran
// at once.
func (s *Service) HashStats() (total, peak int64) {
	return s.logins.HashStats()
}
