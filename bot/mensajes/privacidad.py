"""The aviso de privacidad each role reads before registering, by default (a municipality sets
its own with ASMBOT_AVISO_PRIVACIDAD, ASMBOT_AVISO_PRIVACIDAD_COORDINACION and
ASMBOT_AVISO_PRIVACIDAD_CONTRALORIA; bot.config). Each says what this bot does with that role's
data, and nothing it does not do."""

from __future__ import annotations

from bot.dominio.vocabulario import Rol

_TITULO = "AVISO DE PRIVACIDAD SIMPLIFICADO"
_RESPONSABLE = (
    "El Instituto Municipal de Planeación (IMPLAN) del H. Ayuntamiento de Puebla es "
    "responsable del tratamiento de los datos personales que usted proporcione por este "
    "medio."
)
_ARCO = (
    "Puede ejercer sus derechos de acceso, rectificación, cancelación u oposición (ARCO) ante "
    "la Unidad de Transparencia del Ayuntamiento. El aviso de privacidad integral está "
    "disponible en el portal de transparencia del Ayuntamiento."
)
_LINEAMIENTOS = "conforme a los Lineamientos para el Mecanismo de Seguimiento a los ASM"

ENLACE = "\n\n".join(
    [
        _TITULO,
        _RESPONSABLE,
        (
            "Datos que se recaban: su nombre y su identificador de Telegram, y la dependencia o "
            "entidad que usted representa como Enlace SEDEM."
        ),
        (
            "Finalidad: identificarle como persona autorizada para informar el avance de los Aspectos "
            "Susceptibles de Mejora (ASM), enviarle recordatorios de plazos y dejar constancia de "
            "quién entregó cada avance y sus evidencias, conforme a los Lineamientos para el "
            "Mecanismo de Seguimiento a los ASM."
        ),
        (
            "Sus datos no se transfieren, salvo a la Contraloría Municipal, que recibe copia de cada "
            "entrega de avances (artículo 13 de los Lineamientos), y en los casos previstos por la "
            "ley. Los planes de acción que se publican no incluyen datos personales."
        ),
        _ARCO,
    ]
)

COORDINACION = "\n\n".join(
    [
        f"{_TITULO} · COORDINACIÓN (IMPLAN)",
        _RESPONSABLE,
        "Datos que se recaban: su nombre y su identificador de Telegram, como integrante de la "
        "coordinación del seguimiento (Departamento de Evaluación del IMPLAN).",
        "Finalidad: identificarle como persona autorizada para invitar a las personas usuarias, "
        "cargar los Aspectos Susceptibles de Mejora (ASM), revisar los planes de acción, registrar "
        "la valoración de cada ASM, obtener el Anexo A y recibir copia de cada entrega de avances, "
        f"y dejar constancia en la bitácora de quién hizo cada acción, {_LINEAMIENTOS}.",
        "Su nombre aparece en la lista de personas registradas que consulta la coordinación. Sus "
        "datos no se transfieren, salvo en los casos previstos por la ley. Los planes de acción "
        "que se publican no incluyen datos personales.",
        _ARCO,
    ]
)

CONTRALORIA = "\n\n".join(
    [
        f"{_TITULO} · CONTRALORÍA MUNICIPAL",
        _RESPONSABLE,
        "Datos que se recaban: su nombre y su identificador de Telegram, como persona designada "
        "por la Contraloría Municipal.",
        "Finalidad: identificarle como persona autorizada para recibir copia de cada entrega de "
        "avances (artículo 13 de los Lineamientos) y de las valoraciones del IMPLAN, y para "
        "consultar los ASM, sus evidencias y el Anexo A, y dejar constancia de a quién se envió "
        f"cada copia, {_LINEAMIENTOS}.",
        "Su nombre aparece en la lista de personas registradas que consulta la coordinación del "
        "IMPLAN. Sus datos no se transfieren, salvo en los casos previstos por la ley.",
        _ARCO,
    ]
)

PREDETERMINADOS: dict[Rol, str] = {
    Rol.ENLACE: ENLACE,
    Rol.COORDINADOR: COORDINACION,
    Rol.CONTRALORIA: CONTRALORIA,
}
