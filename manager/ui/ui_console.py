# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'console.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QSizePolicy,
    QSpacerItem, QToolButton, QVBoxLayout, QWidget)

class Ui_Console(object):
    def setupUi(self, Console):
        if not Console.objectName():
            Console.setObjectName(u"Console")
        Console.resize(700, 300)
        self.layout = QVBoxLayout(Console)
        self.layout.setSpacing(2)
        self.layout.setObjectName(u"layout")
        self.layout.setContentsMargins(2, 2, 2, 2)
        self.toolbarLayout = QHBoxLayout()
        self.toolbarLayout.setSpacing(4)
        self.toolbarLayout.setObjectName(u"toolbarLayout")
        self.interruptButton = QToolButton(Console)
        self.interruptButton.setObjectName(u"interruptButton")
        self.interruptButton.setAutoRaise(True)

        self.toolbarLayout.addWidget(self.interruptButton)

        self.restartButton = QToolButton(Console)
        self.restartButton.setObjectName(u"restartButton")
        self.restartButton.setAutoRaise(True)

        self.toolbarLayout.addWidget(self.restartButton)

        self.statusLabel = QLabel(Console)
        self.statusLabel.setObjectName(u"statusLabel")
        self.statusLabel.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.toolbarLayout.addWidget(self.statusLabel)

        self.toolbarSpacer = QSpacerItem(40, 10, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.toolbarLayout.addItem(self.toolbarSpacer)


        self.layout.addLayout(self.toolbarLayout)

        self.messageLabel = QLabel(Console)
        self.messageLabel.setObjectName(u"messageLabel")
        self.messageLabel.setVisible(False)
        self.messageLabel.setWordWrap(True)
        self.messageLabel.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.layout.addWidget(self.messageLabel)

        self.consoleHost = QWidget(Console)
        self.consoleHost.setObjectName(u"consoleHost")
        sizePolicy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        sizePolicy.setHorizontalStretch(0)
        sizePolicy.setVerticalStretch(1)
        sizePolicy.setHeightForWidth(self.consoleHost.sizePolicy().hasHeightForWidth())
        self.consoleHost.setSizePolicy(sizePolicy)
        self.consoleLayout = QVBoxLayout(self.consoleHost)
        self.consoleLayout.setObjectName(u"consoleLayout")
        self.consoleLayout.setContentsMargins(0, 0, 0, 0)

        self.layout.addWidget(self.consoleHost)


        self.retranslateUi(Console)

        QMetaObject.connectSlotsByName(Console)
    # setupUi

    def retranslateUi(self, Console):
#if QT_CONFIG(tooltip)
        self.interruptButton.setToolTip(QCoreApplication.translate("Console", u"Interrupt the running code (KeyboardInterrupt in the kernel)", None))
#endif // QT_CONFIG(tooltip)
        self.interruptButton.setText(QCoreApplication.translate("Console", u"Interrupt", None))
#if QT_CONFIG(tooltip)
        self.restartButton.setToolTip(QCoreApplication.translate("Console", u"Restart the kernel: a fresh Python with the library preloaded (variables are lost)", None))
#endif // QT_CONFIG(tooltip)
        self.restartButton.setText(QCoreApplication.translate("Console", u"Restart", None))
        self.statusLabel.setText(QCoreApplication.translate("Console", u"Kernel: not started", None))
        self.messageLabel.setStyleSheet(QCoreApplication.translate("Console", u"color: #b00020;", None))
        pass
    # retranslateUi

