// ParseRevocation (ledger/documents.h): a CredentialRevocation, which
// withdraws a certificate with a reason (docs/formats.md §9).
#include <array>
#include <string>
#include <string_view>

#include "ledger/document_fields.h"
#include "ledger/documents.h"

namespace frontera::ledger {

// The shared member rules (ledger/document_fields.h).
using document_fields::BoundedText;
using document_fields::CheckContext;
using document_fields::CheckDidKey;
using document_fields::CheckDocument;
using document_fields::CheckedText;
using document_fields::CheckUri;
using document_fields::CheckUrnUuid;
using document_fields::Fields;
using document_fields::kFronteraContext;
using document_fields::kReasonCharsMax;
using document_fields::kVcContextV2;
using document_fields::Need;
using document_fields::ReadProofOrSet;

Result<Revocation> ParseRevocation(const Json& document) {
  FRONTERA_RETURN_IF_ERROR(CheckDocument(document, "revocation"));
  Fields fields("revocation");
  Revocation revocation;

  const std::array<std::string_view, 1> contexts = {kFronteraContext};
  CheckContext(fields, document, kVcContextV2, contexts);
  CheckedText(fields, document, "", "type", Need::kRequired, [](std::string_view v) {
    return v == "CredentialRevocation" ? Status::Ok()
                                       : Status::FailedPrecondition("must be CredentialRevocation");
  });
  revocation.id =
      CheckedText(fields, document, "", "id", Need::kRequired, CheckUrnUuid).value_or("");
  revocation.credential_id =
      CheckedText(fields, document, "", "credential", Need::kRequired, [](std::string_view v) {
        return CheckUri(v);
      }).value_or("");
  revocation.issuer =
      CheckedText(fields, document, "", "issuer", Need::kRequired, CheckDidKey).value_or("");
  revocation.reason =
      BoundedText(fields, document, "", "reason", Need::kRequired, kReasonCharsMax).value_or("");
  revocation.proof_verification_method = ReadProofOrSet(fields, document);

  FRONTERA_RETURN_IF_ERROR(fields.Finish());
  return revocation;
}

}  // namespace frontera::ledger
