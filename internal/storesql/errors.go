package storesql

import (
	"errors"

	"partnership-service/internal/apperr"
)

// Violation is what an engine reads from a driver error: the kind of
// failure, which MapError turns into a domain error the same way for both.
type Violation int

const (
	NoViolation Violation = iota
	NoRows                // the query matched no row
	Unique                // a unique or primary-key index refused the row
	ForeignKey            // the row names a record that does not exist
	BadValue              // a value the column cannot hold (the edge should have refused it)
)

// MapError turns a driver error, classified by the engine's classify
// (which reads the driver's codes, never its text), into a domain error:
// no rows is not_found, a unique violation conflict, a foreign-key
// violation or a bad value invalid; a domain error passes through; anything
// else is internal.
func MapError(err error, classify func(error) Violation) error {
	if err == nil {
		return nil
	}
	switch classify(err) {
	case NoRows:
		return apperr.Wrap(apperr.NotFound, err, "not found")
	case Unique:
		return apperr.Wrap(apperr.Conflict, err, "already exists")
	case ForeignKey:
		return apperr.Wrap(apperr.Invalid, err, "refers to a record that does not exist")
	case BadValue:
		return apperr.Wrap(apperr.Invalid, err, "invalid value")
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	return apperr.Wrap(apperr.Internal, err, "internal error")
}
