#include "api/resolver_page_text.h"

namespace frontera::api {
namespace {

constexpr PageText kEnglish = {
    .title = "Frontera label check",
    .verdict_sentences =
        {
            "This label is genuine and its certificate is active on the ledger.",
            "This label could not be confirmed as genuine. Do not use this product; report it.",
            "This product's certificate was revoked. Do not use this product.",
            "This product was recalled. Do not use it; return it.",
            "The label is genuine, but the product or its certificate has expired. Do not use it.",
            "The ledger has no certificate for this label. Do not rely on it.",
            "An agency has flagged this product (suspect, illegitimate or recalled). Do not use "
            "or sell it: it is held until the agency clears it.",
            "This pack was already taken out of the supply chain (dispensed, destroyed, stolen, "
            "exported, sampled or locked: see where and when below). Do not use or sell it; a "
            "pack scanned again after it was dispensed may be a clone.",
            "The ledger's answer could not be read. Do not rely on this label.",
        },
    .revocation_reason = "Reason",
    .reasons = "Reasons",
    .product = "Product",
    .consignment = "Consignment",
    .label_says = "What the label says (not confirmed)",
    .name = "Name",
    .strength_form = "Strength, form",
    .lot = "Lot",
    .serial = "Serial",
    .expiry = "Expiry",
    .substance = "Substance",
    .quantity = "Quantity",
    .issuer = "Issuer",
    .country = "Country",
    .role = "Role",
    .key = "Key",
    .issuer_unregistered = "Not a party registered on the ledger.",
    .claims_before = "The label claims to be from ",
    .claims_after = " \u2014 this could not be confirmed.",
    .issuer_unknown = "Who issued this label could not be established.",
    .status = "Status",
    .certificate = "Certificate",
    .flags = "Flags",
    .no_flags = "none",
    .revoked_by = "Revoked by",
    .held_by = "Held by",
    .reason = "Reason",
    .certificate_id = "Certificate id",
    .no_certificate = "No certificate on the ledger matches this label.",
    .custody = "Custody",
    .by = " by ",
    .from = ", from ",
    .to = ", to ",
    .label = "Label",
    .error_title = "Frontera label check",
    .bad_label = "This label cannot be checked",
    .bad_label_advice =
        "Its address is not a complete, well-formed Frontera label (for example, "
        "its signature is missing). Do not rely on this item.",
    .not_found = "Nothing to check here",
    .not_found_advice = "This address is not a label this service checks.",
    .unavailable = "The check is not possible right now",
    .unavailable_advice = "The ledger could not be reached. Try again in a minute.",
    .failed = "The check failed",
    .failed_advice = "Something went wrong while checking this label. Try again later.",
    .details = "Details",
};

constexpr PageText kSpanish = {
    .title = "Verificación de etiqueta Frontera",
    .verdict_sentences =
        {
            "Esta etiqueta es auténtica y su certificado está vigente en el registro.",
            "No se pudo confirmar que esta etiqueta sea auténtica. No use este producto; "
            "denúncielo.",
            "El certificado de este producto fue revocado. No use este producto.",
            "Este producto fue retirado del mercado. No lo use; devuélvalo.",
            "La etiqueta es auténtica, pero el producto o su certificado ha caducado. No lo use.",
            "El registro no tiene ningún certificado para esta etiqueta. No confíe en ella.",
            "Una autoridad marcó este producto (sospechoso, ilegítimo o retirado). No lo use ni "
            "lo venda: queda retenido hasta que la autoridad lo libere.",
            "Este envase ya salió de la cadena de suministro (dispensado, destruido, robado, "
            "exportado, muestreado o bloqueado: vea dónde y cuándo abajo). No lo use ni lo venda; "
            "un envase escaneado de nuevo tras su dispensación puede ser una copia.",
            "No se pudo leer la respuesta del registro. No confíe en esta etiqueta.",
        },
    .revocation_reason = "Motivo",
    .reasons = "Motivos",
    .product = "Producto",
    .consignment = "Envío",
    .label_says = "Lo que dice la etiqueta (sin confirmar)",
    .name = "Nombre",
    .strength_form = "Concentración, forma",
    .lot = "Lote",
    .serial = "Número de serie",
    .expiry = "Caducidad",
    .substance = "Sustancia",
    .quantity = "Cantidad",
    .issuer = "Emisor",
    .country = "País",
    .role = "Función",
    .key = "Clave",
    .issuer_unregistered = "No es una parte registrada en el registro.",
    .claims_before = "La etiqueta dice provenir de ",
    .claims_after = " \u2014 no se pudo confirmar.",
    .issuer_unknown = "No se pudo establecer quién emitió esta etiqueta.",
    .status = "Estado",
    .certificate = "Certificado",
    .flags = "Avisos",
    .no_flags = "ninguno",
    .revoked_by = "Revocado por",
    .held_by = "Retenido por",
    .reason = "Motivo",
    .certificate_id = "Id. del certificado",
    .no_certificate = "Ningún certificado del registro corresponde a esta etiqueta.",
    .custody = "Custodia",
    .by = " por ",
    .from = ", de ",
    .to = ", a ",
    .label = "Etiqueta",
    .error_title = "Verificación de etiqueta Frontera",
    .bad_label = "Esta etiqueta no se puede verificar",
    .bad_label_advice =
        "Su dirección no es una etiqueta Frontera completa y bien formada (por "
        "ejemplo, le falta la firma). No confíe en este artículo.",
    .not_found = "No hay nada que verificar aquí",
    .not_found_advice = "Esta dirección no es una etiqueta que este servicio verifique.",
    .unavailable = "La verificación no es posible en este momento",
    .unavailable_advice = "No se pudo contactar con el registro. Inténtelo de nuevo en un minuto.",
    .failed = "La verificación falló",
    .failed_advice = "Algo salió mal al verificar esta etiqueta. Inténtelo más tarde.",
    .details = "Detalles",
};

constexpr PageText kFrench = {
    .title = "Vérification d\u2019étiquette Frontera",
    .verdict_sentences =
        {
            "Cette étiquette est authentique et son certificat est actif dans le registre.",
            "L\u2019authenticité de cette étiquette n\u2019a pas pu être confirmée. "
            "N\u2019utilisez "
            "pas ce produit\u00a0; signalez-le.",
            "Le certificat de ce produit a été révoqué. N\u2019utilisez pas ce produit.",
            "Ce produit a été rappelé. Ne l\u2019utilisez pas\u00a0; rapportez-le.",
            "L\u2019étiquette est authentique, mais le produit ou son certificat est périmé. Ne "
            "l\u2019utilisez pas.",
            "Le registre ne contient aucun certificat pour cette étiquette. Ne vous y fiez pas.",
            "Une autorité a signalé ce produit (suspect, illégitime ou rappelé). Ne "
            "l\u2019utilisez pas et ne le vendez pas\u00a0: il reste bloqué jusqu\u2019à ce que "
            "l\u2019autorité lève le signalement.",
            "Cette boîte a déjà quitté la chaîne d\u2019approvisionnement (délivrée, détruite, "
            "volée, exportée, prélevée ou bloquée\u00a0: voir où et quand ci-dessous). Ne "
            "l\u2019utilisez pas et ne la vendez pas\u00a0; une boîte scannée de nouveau après sa "
            "délivrance peut être un clone.",
            "La réponse du registre n\u2019a pas pu être lue. Ne vous fiez pas à cette étiquette.",
        },
    .revocation_reason = "Motif",
    .reasons = "Motifs",
    .product = "Produit",
    .consignment = "Envoi",
    .label_says = "Ce que dit l\u2019étiquette (non confirmé)",
    .name = "Nom",
    .strength_form = "Dosage, forme",
    .lot = "Lot",
    .serial = "Numéro de série",
    .expiry = "Péremption",
    .substance = "Substance",
    .quantity = "Quantité",
    .issuer = "Émetteur",
    .country = "Pays",
    .role = "Rôle",
    .key = "Clé",
    .issuer_unregistered = "Ce n\u2019est pas une partie enregistrée dans le registre.",
    .claims_before = "L\u2019étiquette prétend provenir de ",
    .claims_after = " \u2014 cela n\u2019a pas pu être confirmé.",
    .issuer_unknown = "L\u2019émetteur de cette étiquette n\u2019a pas pu être établi.",
    .status = "Statut",
    .certificate = "Certificat",
    .flags = "Signalements",
    .no_flags = "aucun",
    .revoked_by = "Révoqué par",
    .held_by = "Retenu par",
    .reason = "Motif",
    .certificate_id = "Id. du certificat",
    .no_certificate = "Aucun certificat du registre ne correspond à cette étiquette.",
    .custody = "Chaîne de possession",
    .by = " par ",
    .from = ", de ",
    .to = ", à ",
    .label = "Étiquette",
    .error_title = "Vérification d\u2019étiquette Frontera",
    .bad_label = "Cette étiquette ne peut pas être vérifiée",
    .bad_label_advice =
        "Son adresse n\u2019est pas une étiquette Frontera complète et bien formée "
        "(par exemple, la signature manque). Ne vous fiez pas à cet article.",
    .not_found = "Rien à vérifier ici",
    .not_found_advice = "Cette adresse n\u2019est pas une étiquette que ce service vérifie.",
    .unavailable = "La vérification est impossible pour le moment",
    .unavailable_advice = "Le registre est injoignable. Réessayez dans une minute.",
    .failed = "La vérification a échoué",
    .failed_advice = "Une erreur est survenue pendant la vérification. Réessayez plus tard.",
    .details = "Détails",
};

}  // namespace

const PageText& PageTextOf(PageLanguage language) {
  switch (language) {
    case PageLanguage::kSpanish:
      return kSpanish;
    case PageLanguage::kFrench:
      return kFrench;
    case PageLanguage::kEnglish:
      break;
  }
  return kEnglish;
}

}  // namespace frontera::api
